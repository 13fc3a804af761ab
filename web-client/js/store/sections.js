// A circle's sections (store/sections.py): which tabs its page shows and in what order,
// and the words a kind gives to some of them. Pure: the circle page and the settings'
// Sections panel ask here; the list itself comes with the circle (`sections`) and is kept
// current by circle.updated like every other setting.

/** Every section the server knows, in the order the Sections panel lists the ones off. */
export const SECTION_KEYS = ['chat', 'highlights', 'feed', 'course', 'materials', 'homework', 'challenges', 'search'];
/** A circle from a server that sends no sections: the tabs as they were before kinds. */
export const DEFAULT_SECTIONS = ['chat', 'highlights', 'feed', 'challenges', 'materials', 'search'];
/** How many sections the phone's tab bar shows before "More". */
export const PHONE_BAR = 3;

/** The tabs of a circle's page: its sections this client has a panel for, each once, in
 *  the circle's order, then settings (always there). Unknown keys are left out. */
export function tabsOf(sections, known) {
  const list = Array.isArray(sections) ? sections : DEFAULT_SECTIONS;
  const tabs = [];
  for (const key of list) {
    if (key !== 'settings' && known.includes(key) && !tabs.includes(key)) tabs.push(key);
  }
  return [...tabs, 'settings'];
}

/** The phone's split: the first few sections in the bar, the rest in the More menu. */
export function phoneSplit(tabs) {
  const sections = tabs.filter((key) => key !== 'settings');
  return { bar: sections.slice(0, PHONE_BAR), more: sections.slice(PHONE_BAR) };
}

/** The locale key of a section's tab label: a teaching circle's feed is its Notices. */
export function sectionLabelKey(key, kind) {
  if (kind === 'teaching' && key === 'feed') return 'circle.tab.notices';
  return `circle.tab.${key}`;
}

/** The locale key of a role's label: in a teaching circle the owner is the Teacher and an
 *  admin the Assistant (presentation only: the roles are the same). */
export function roleLabelKey(role, kind) {
  const known = ['owner', 'admin'].includes(role) ? role : 'member';
  if (kind === 'teaching' && known === 'owner') return 'role.teacher';
  if (kind === 'teaching' && known === 'admin') return 'role.assistant';
  return `role.${known}`;
}

/** An owner's edit of the list: ``key`` on or off (on: at the end), or moved by ``by``. */
export function toggled(sections, key, on) {
  const without = sections.filter((k) => k !== key);
  return on ? [...without, key] : without;
}

export function moved(sections, key, by) {
  const at = sections.indexOf(key);
  const to = at + by;
  if (at < 0 || to < 0 || to >= sections.length) return sections;
  const next = [...sections];
  next.splice(at, 1);
  next.splice(to, 0, key);
  return next;
}
