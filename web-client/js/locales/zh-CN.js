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
  'error.unauthenticated': '请重新登录。',
  'error.forbidden': '你没有权限进行此操作。',
  'error.not_found': '内容不存在或你无权查看。',
  'error.conflict': '内容已被他人修改，请重试。',
  'error.too_big': '内容太长了。',
  'error.rate_limited': '操作太频繁，请稍后再试。',
  'error.internal': '服务器出错了，请稍后再试。',
};
