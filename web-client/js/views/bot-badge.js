// The BOT badge beside a bot's name (`bot: true` in a message's `from`, a post's or
// comment's `author`, a member): docs/webhooks.md.

import { h } from '../dom.js';
import { t } from '../i18n.js';

export function botBadge(who) {
  return who && who.bot ? h('span', { class: 'tag bot', testid: 'bot-badge', text: t('bots.badge'), title: t('bots.badgeTitle') }) : null;
}
