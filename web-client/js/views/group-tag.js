// Which group a highlight was said in ("# north"), for posts promoted from a group's chat
// other than general; nothing for general's.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { groupName } from '../store/groups.js';
import { userText } from './user-text.js';

/**
 * What a group is called on screen: its name, except the general group's default name,
 * which is the server's word ("general") and so ours to translate (全体成员).
 */
export function groupLabel(group) {
  if (group && group.general && group.name === 'general') return t('circle.generalGroup');
  return group ? group.name : '';
}

export function sourceGroupTag(circleId, source) {
  if (!source || !source.group || source.group === circleId) return null;
  const name = groupName(circleId, source.group);
  const props = { class: 'tag group-tag', testid: 'post-group', title: t('manage.groupFrom'), dataset: { group: source.group } };
  // A group's name is what someone typed; "another group" is ours to translate.
  return name ? userText('span', `# ${name}`, props) : h('span', { ...props, text: `# ${t('manage.otherGroup')}` });
}
