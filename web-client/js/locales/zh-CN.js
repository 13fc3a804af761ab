// 简体中文. The same keys as en.js (tests/node/locales.test.js checks it).

export const name = '简体中文';

export const messages = {
  'app.title': '圈子',
  'app.loading': '加载中…',
  'app.skip': '跳到正文',
  'app.logout': '退出登录',
  'app.language': '语言',
  'app.noscript': '圈子需要在浏览器中启用 JavaScript 才能运行。',
  'app.sessionEnded': '登录已失效，请重新登录。',

  'error.unknown': '出了点问题，请重试。',
  'error.network': '无法连接服务器，请检查网络后重试。',
  'error.bad_request': '提交的内容无效，请检查后重试。',
  'error.bad_frame': '提交的内容无效，请检查后重试。',
  'error.unknown_type': '页面版本过旧，请刷新。',
  'error.offline': '无法连接服务器，请检查网络后重试。',
  'error.unauthenticated': '请重新登录。',
  'error.forbidden': '你没有权限进行此操作。',
  'error.not_found': '内容不存在或你无权查看。',
  'error.conflict': '内容已被他人修改，请重试。',
  'error.too_big': '内容太长了。',
  'error.rate_limited': '操作太频繁，请稍后再试。',
  'error.internal': '服务器出错了，请稍后再试。',

  // Shared words (buttons, kinds, visibility, roles)
  'common.save': '保存',
  'common.cancel': '取消',
  'common.close': '关闭',
  'common.delete': '删除',
  'common.remove': '移除',
  'common.edit': '编辑',
  'common.send': '发送',
  'common.back': '返回',
  'common.more': '更多',
  'common.loading': '加载中…',
  'common.retry': '重试',
  'common.copy': '复制',
  'common.copied': '已复制',
  'common.yes': '是',
  'common.no': '否',
  'common.done': '完成',
  'common.offline': '离线中——显示的是上次加载的内容',
  'kind.community': '兴趣社群',
  'kind.internal': '内部圈子',
  'kind.business': '商务圈子',
  'kind.teaching': '教学圈子',
  'visibility.public': '公开',
  'visibility.private': '私密',
  'role.owner': '圈主',
  'role.admin': '管理员',
  'role.member': '成员',

  // chat.* — the chat: views/chat.js, message.js, quotes.js, reactions.js, typing.js, reads.js, polls.js
  // (end of chat)

  // home.* — home, sign-up and invites: views/circles.js, discover.js, invite.js, auth.js, sessions.js
  // (end of home)

  // circle.* — a circle's page and the phone layout: views/circle.js, panels.js, status.js, groups.js
  'circle.untitled': '圈子',
  'circle.pageTitle': '{name} · 圈子',
  'circle.back': '返回我的圈子',
  'circle.views': '圈子里的栏目',
  'circle.tab.chat': '聊天',
  'circle.tab.highlights': '精华',
  'circle.tab.feed': '动态',
  'circle.tab.settings': '设置',
  'circle.tab.more': '更多',
  'circle.newHighlights': '有新的精华',
  'circle.members': '成员',
  'circle.memberCount': { other: '{count} 位成员' },
  'circle.online': { other: '{count} 人在线' },
  'circle.highlightsFailed': '精华没能加载：{reason}',
  'circle.notMember': '你不是这个圈子的成员。',
  'circle.deleted': '这个圈子已被删除。',
  'circle.removed': '你已不再是这个圈子的成员。',
  'circle.status.online': '已连接',
  'circle.status.connecting': '正在连接…',
  'circle.status.reconnecting': '正在重新连接…',
  'circle.status.restarting': '服务器正在重启，正在重新连接…',
  'circle.status.offlineIn': { other: '网络已断开，{count} 秒后重新连接' },
  'circle.status.restartingIn': { other: '服务器正在重启，{count} 秒后重新连接' },
  'circle.status.offline': '网络已断开',
  'circle.status.disconnected': '连接已断开',
  'circle.status.retryNow': '立即重试',
  'circle.status.reconnect': '重新连接',
  'circle.groups.title': '群组',
  'circle.groups.new': '新建群组',
  'circle.groups.join': '加入',
  'circle.groups.ask': '申请加入',
  'circle.groups.requested': '已申请',
  'circle.groups.inviteOnly': '仅限邀请',
  'circle.groups.manage': '管理「{name}」',
  'circle.groups.leave': '退出群组',
  'circle.groups.unread': { other: '{count} 条未读消息' },
  'circle.groups.readOnly': '只读',
  'circle.groups.readOnlyHint': '只有本群组的管理员可以在这里发言。',
  'circle.groups.removed': '你已不在「{name}」里了。',
  'circle.groups.archived': '「{name}」已归档。',
  'circle.groups.asked': '申请已发给群组管理员。',
  // (end of circle)

  // posts.* — highlights, feed, posts, comments, receipts: views/highlights.js, feed.js, post.js, comments.js, receipts.js
  // (end of posts)

  // manage.* — settings, members, group admin: views/settings.js, members.js, group-admin.js, group-tag.js
  // (end of manage)

  // a11y.* — labels shared by the whole page, offline and installing
  // (end of a11y)
};
