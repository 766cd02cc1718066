// The UI's "now" is the server's. An operator's or a resident's computer clock may be off by hours,
// and whether an announcement is active or an appeal overdue is the server's call: every page load
// hands over the server's time (routes/+layout.server.ts), and in between the browser's clock only
// measures how much time has passed.
let offset = 0;

export function syncClock(serverNow: string | undefined) {
  const t = serverNow ? Date.parse(serverNow) : NaN;
  if (!Number.isNaN(t)) offset = t - Date.now();
}

export const now = () => new Date(Date.now() + offset);
