// The names of the store's events: what views subscribe to with state.on(EV.…, fn). The
// values are the strings the store has always used, so state.on('message', fn) still works;
// new code writes EV.message. Detail of each, as emitted:
//
//   sessionCleared  {}                                  the user logged out: every store empties
//   circlesChanged  {}                                  the circle list (state.circles)
//   circleInfo      {circle, info}                      a circle's map changed
//   connection      {state}                             the socket's state
//   limits          {limits}                            the welcome's limits (state.limits)
//   joined          {circle, lastSeq}                   a chat was joined (circle: the chat)
//   message         {circle, message}                   a new message (circle: the chat), once per seq
//   messageUpdated  {circle, message}                   a message shown changed (its author's name,
//                                                       recalled, deleted or edited)
//   history         {circle, messages, more}            older messages, those not held yet
//   pending         {circle, pending}                   an own message waiting (or failed)
//   pendingDropped  {circle, nonce}                     a waiting message was discarded
//   presence        {circle, online}                    how many are online (null: unknown)
//   starsChanged    {circle, seq, count?, mine?}        stars or veto of a message
//   gap             {circle, fromSeq, toSeq}            messages the server could not resend
//   typing          {circle, chat, user}                someone is typing
//   left            {circle, reason}                    the user is no longer in a circle
//   bye             {reason}                            the server is going away
//   postsChanged    {circle, post?}                     a post (or the posts) of a circle
//   highlight       {circle, post}                      a change the highlights tab shows
//   commentsChanged {post}                              a comment thread
//   receiptsChanged {post}                              who has read a must-read
//   membersChanged  {circle}                            a circle's member list
//   reactionsChanged {key}                              reactions of a message or post
//   pollChanged     {circle, poll}                      a poll
//   groupsChanged   {circle, group}                     a circle's chat groups (group null: all)
//   groupEntered    {circle, group}                     the user is in a group now
//   groupExited     {circle, group, reason}             the user is out of a group
//   readsChanged    {chat}                              read markers of a chat
//   joinRequestsChanged {circle}                        join requests waiting (managers)
//   reportsChanged  {circle, report?}                   a circle's reports (its open count)
//   reportOutcome   {circle, report}                    a report of the user's was resolved
//   mutedChanged    {circle}                            I was muted or unmuted there, or my paid term changed
//   bansChanged     {circle}                            someone was banned or unbanned there
//   sayRefused      {circle, text, replyTo, reason, params}  a say refused (slow_mode, muted, membership_ended)
//   followingChanged {circle?}                          the circles I follow, or one's latest posts
//   challengesChanged {circle, challenge}               a challenge, its participants or check-ins
//   gatheringsChanged {circle, gathering}               an event (gathering) or its answers
//   pointsChanged   {circle}                            a circle's points table
//   homeworkChanged {circle, assignment, kind, ev}      an assignment, a submission, its review, comments, likes
//   contestsChanged {circle, contest}                   a contest, its entries or votes
//   lessonsChanged  {circle, lesson}                    a circle's course plan or one lesson (lesson null: the order)
//   liveLessons     {}                                  the live lessons of my circles (the banner)
//   reminder        {circle, user, about, ts}           a reminder for me (a lesson, homework, a check-in, an event)
//   notificationsChanged {fresh}                        my notification inbox (fresh: items new to the page)
//   aimed           {circle}                            a notification asks the circle's page to open something

export const EV = Object.freeze({
  sessionCleared: 'session-cleared',
  circlesChanged: 'circles',
  circleInfo: 'circle-info',
  connection: 'connection',
  limits: 'limits',
  joined: 'joined',
  message: 'message',
  messageUpdated: 'message-updated',
  history: 'history',
  pending: 'pending',
  pendingDropped: 'pending-dropped',
  presence: 'presence',
  starsChanged: 'stars',
  gap: 'gap',
  typing: 'typing',
  left: 'left',
  bye: 'bye',
  postsChanged: 'posts',
  highlight: 'highlight',
  commentsChanged: 'comments',
  receiptsChanged: 'receipts',
  membersChanged: 'members',
  reactionsChanged: 'reactions',
  pollChanged: 'poll',
  groupsChanged: 'groups',
  groupEntered: 'group-entered',
  mutedChanged: 'muted-changed',
  sayRefused: 'say-refused',
  bansChanged: 'bans',
  challengesChanged: 'challenges',
  homeworkChanged: 'homework',
  lessonsChanged: 'lessons',
  liveLessons: 'live-lessons',
  groupExited: 'group-exited',
  readsChanged: 'reads',
  joinRequestsChanged: 'join-requests',
  reportsChanged: 'reports',
  reportOutcome: 'report-outcome',
  followingChanged: 'following',
  reminder: 'reminder',
  notificationsChanged: 'notifications',
  aimed: 'aimed',
  gatheringsChanged: 'gatherings',
  pointsChanged: 'points',
  contestsChanged: 'contests',
});

/** Every event name (the strings), to tell a typo from an event. */
export const EVENT_NAMES = new Set(Object.values(EV));
