// Which group a highlight was said in ("# north"), for posts promoted from a group's chat
// other than general; nothing for general's.

import { h } from '../dom.js';
import { groupName } from '../store/groups.js';

const TEXT = {
  from: (name) => `# ${name}`,
  unknown: 'another group',
  title: 'Said in this chat group',
};

export function sourceGroupTag(circleId, source) {
  if (!source || !source.group || source.group === circleId) return null;
  const name = groupName(circleId, source.group);
  return h('span', {
    class: 'tag group-tag', testid: 'post-group', title: TEXT.title,
    dataset: { group: source.group }, text: TEXT.from(name || TEXT.unknown),
  });
}
