/** A Slack workspace id, which reviews are stored under (also in an Enterprise Grid org). */
export const TEAM_ID = /^T[A-Z0-9]{2,30}$/;
/** An Enterprise Grid organization id: no review is stored under one. */
export const ENTERPRISE_ID = /^E[A-Z0-9]{2,30}$/;
