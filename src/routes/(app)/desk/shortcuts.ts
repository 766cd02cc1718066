// The desk's keys (docs/life-of-an-appeal.md, "Desk keys"): the whole call can be taken without the
// mouse, except the one click on the map. `code`, not `key`: Alt+letter types other characters on
// a Ukrainian layout and on macOS.
export type DeskAction = 'new' | 'search' | 'category' | 'text' | 'register' | 'consultation' | 'simulate';

export function shortcut(e: KeyboardEvent): DeskAction | null {
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') return 'register';
  if (!e.altKey || e.ctrlKey) return null;
  switch (e.code) {
    case 'KeyN': return 'new';
    case 'KeyF': return 'search';
    case 'KeyK': return 'category';
    case 'KeyT': return 'text';
    case 'KeyC': return 'consultation';
    case 'KeyS': return 'simulate';
    default: return null;
  }
}
