// Names of utilities and kinds for exports (the UI has its own in the i18n table).
import type { Kind, Utility } from './announcements.repo.ts';

export const UTILITY_LABEL: Record<'uk' | 'en', Record<Utility, string>> = {
  uk: { electricity: 'Електроенергія', gas: 'Газ', cold_water: 'Холодна вода', hot_water: 'Гаряча вода', heating: 'Опалення' },
  en: { electricity: 'Electricity', gas: 'Gas', cold_water: 'Cold water', hot_water: 'Hot water', heating: 'Heating' },
};
export const KIND_LABEL: Record<'uk' | 'en', Record<Kind, string>> = {
  uk: { outage: 'Відключення', excavation: 'Розкопка' },
  en: { outage: 'Outage', excavation: 'Excavation' },
};
