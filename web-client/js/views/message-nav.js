// The message list from the keyboard and by touch: ONE Tab stop (roving tabindex — the
// message last visited, else the newest, has tabindex 0), Up/Down/Home/End/PageUp/PageDown
// move between messages (Up on the first loads older ones), Enter, the context-menu key or
// Shift+F10 opens the focused message's menu and lets Tab reach its controls; Escape closes
// it. A long press opens the menu too (messageEl's openMenu). Controls inside a message
// (menu, quote, links, reactions, poll) are Tab stops only while its menu is open.

const FOCUSABLE = 'button, a[href], input, select, textarea, [tabindex]:not(.msg)';
const PAGE = 10;

/** `root` holds the lists (sent and pending); loadOlder() asks for older history. */
export function messageNav(root, { loadOlder }) {
  let active = null; // the message element with tabindex 0
  let open = null; // the message element whose menu is open

  const items = () => [...root.querySelectorAll('li.msg')];
  const keyOf = (node) => (node.dataset.seq ? `s${node.dataset.seq}` : `n${node.dataset.nonce}`);
  let activeKey = null;
  let openKey = null;

  function tame(node) {
    const on = node === open;
    for (const el of node.querySelectorAll(FOCUSABLE)) el.tabIndex = on ? 0 : -1;
  }

  /** A new or re-rendered message element: its tab stops and menu as they were. */
  function decorate(node) {
    if (!node.classList || !node.classList.contains('msg')) return;
    const key = keyOf(node);
    if (key === openKey) {
      open = node;
      node.classList.add('menu-open');
    }
    if (key === activeKey) active = node;
    node.tabIndex = node === active ? 0 : -1;
    tame(node);
  }

  /** After changes: exactly one message is the Tab stop (the newest when none was chosen). */
  function settle() {
    if (active && !active.isConnected) active = null;
    if (open && !open.isConnected) {
      open = null;
      openKey = null;
    }
    const all = items();
    if ((!active || activeKey == null) && all.length) {
      active = all[all.length - 1]; // follows the newest until someone moves
      activeKey = null;
    }
    for (const node of all) node.tabIndex = node === active ? 0 : -1;
  }

  let settling = false;
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        const item = node.classList.contains('msg') ? node : node.closest && node.closest('li.msg');
        if (item && item !== node) tame(item); // a poll card or reaction chips re-drawn
        else if (item) decorate(item);
      }
    }
    if (!settling) {
      settling = true;
      queueMicrotask(() => {
        settling = false;
        settle();
      });
    }
  });
  observer.observe(root, { childList: true, subtree: true });

  function activate(node, focus = true) {
    if (active && active !== node) active.tabIndex = -1;
    active = node;
    activeKey = keyOf(node);
    node.tabIndex = 0;
    if (focus) node.focus();
  }

  function openMenu(node, focusFirst = false) {
    if (open && open !== node) closeMenu(false);
    open = node;
    openKey = keyOf(node);
    node.classList.add('menu-open');
    tame(node);
    activate(node, false);
    if (focusFirst) node.querySelector('.msg-menu button:not([disabled])')?.focus();
    document.addEventListener('pointerdown', outside, true);
  }

  function closeMenu(refocus = true) {
    const node = open;
    open = null;
    openKey = null;
    document.removeEventListener('pointerdown', outside, true);
    if (!node) return;
    node.classList.remove('menu-open');
    tame(node);
    if (refocus && node.isConnected) node.focus();
  }

  function outside(event) {
    if (open && !open.contains(event.target)) closeMenu(false);
  }

  root.addEventListener('focusin', (event) => {
    const node = event.target.closest && event.target.closest('li.msg');
    if (node && root.contains(node) && node !== active) activate(node, false);
  });

  root.addEventListener('keydown', (event) => {
    const node = event.target.closest && event.target.closest('li.msg');
    if (!node) return;
    if (event.target !== node) {
      // Inside an open message: Escape leaves it, arrows walk its menu.
      if (event.key === 'Escape') {
        event.preventDefault();
        closeMenu(true);
      } else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft') && event.target.closest('.msg-menu')) {
        const buttons = [...node.querySelectorAll('.msg-menu button:not([disabled])')];
        const at = buttons.indexOf(event.target);
        const next = buttons[(at + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length];
        event.preventDefault();
        next?.focus();
      }
      return;
    }
    const all = items();
    const at = all.indexOf(node);
    const go = (index) => {
      event.preventDefault();
      const target = all[Math.max(0, Math.min(all.length - 1, index))];
      if (target) {
        activate(target);
        target.scrollIntoView({ block: 'nearest' });
      }
    };
    switch (event.key) {
      case 'ArrowUp':
        if (at === 0) {
          event.preventDefault();
          loadOlder();
        } else go(at - 1);
        break;
      case 'ArrowDown': go(at + 1); break;
      case 'PageUp': go(at - PAGE); break;
      case 'PageDown': go(at + PAGE); break;
      case 'Home': go(0); break;
      case 'End': go(all.length - 1); break;
      case 'Enter':
      case 'ContextMenu':
        event.preventDefault(); // no click on the button that gets the focus
        if (open === node) closeMenu(true);
        else if (node.querySelector('.msg-menu')) openMenu(node, true);
        break;
      case 'F10':
        if (event.shiftKey && node.querySelector('.msg-menu')) {
          event.preventDefault();
          openMenu(node, true);
        }
        break;
      case 'Escape':
        if (open) closeMenu(true);
        break;
      default:
    }
  });

  return {
    decorate,
    openMenu: (node) => openMenu(node, false),
    closeMenu: () => closeMenu(false),
    destroy() {
      observer.disconnect();
      document.removeEventListener('pointerdown', outside, true);
    },
  };
}
