// What a drawn announcement zone may be: the page checks these before asking, the server enforces them.
export const MAX_VERTICES = 1000;
export const MAX_PICKED = 2000;
export const MIN_WIDTH_M = 1;
export const MAX_WIDTH_M = 500;
