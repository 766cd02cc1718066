export { default as MapView } from './MapView.svelte';
export type { MapApi } from './types';
export type { LegendEntry, LegendGroup, TileMap } from './tegola';
export { parseViewHash, formatViewHash, type ViewState } from './view-hash';
export { iconStyle } from './sprite';
