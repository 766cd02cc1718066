// Executors and the category catalogue of the demo city, with the share of historic appeals per
// category. CATEGORY_SHARES is the one table both the generator and its test read.
//
// Shares follow the seeds (Kyiv 1551, 2017): spheres housing 83.4 %, transport and infrastructure
// 5.8 %, social 3.6 %, health 1.6 %, kiosks 1.3 %, the rest 4.3 %. The top-10 issues (169,449
// appeals a year in all) are housing issues and make up 70 % of all appeals here, in the
// proportions of their yearly counts.
const TOP10_TOTAL = 169_449;
const top = (count: number) => (70 * count) / TOP10_TOTAL;

export type Rule = 'housing_office' | 'district' | 'fixed';
export type Season = 'flat' | 'summer' | 'winter' | 'warm';
import type { InfraKind } from '../../vocabulary/city.ts';

export type { InfraKind };

export interface CategoryDef {
  code: string; sphere: string; name: string; nameEn: string;
  rule: Rule; executor: string; deadlineHours: number; survey: boolean;
  infraKind?: InfraKind; share: number; season: Season; texts: string[];
}

export const SPHERES: { code: string; name: string; nameEn: string; share: number }[] = [
  { code: 'housing', name: 'Житлово-комунальне господарство', nameEn: 'Housing and utilities', share: 83.4 },
  { code: 'transport', name: 'Транспорт та інфраструктура', nameEn: 'Transport and infrastructure', share: 5.8 },
  { code: 'social', name: 'Соціальний захист', nameEn: 'Social protection', share: 3.6 },
  { code: 'health', name: 'Охорона здоров\'я', nameEn: 'Health care', share: 1.6 },
  { code: 'kiosks', name: 'Торгівля та МАФи', nameEn: 'Trade and kiosks', share: 1.3 },
  { code: 'environment', name: 'Благоустрій та екологія', nameEn: 'Landscaping and environment', share: 4.3 },
];

// executor: the fixed executor (rule "fixed") or the fallback of the other rules; "zhek" = the
// district's housing office.
export const CATEGORY_SHARES: CategoryDef[] = [
  { code: 'no-hot-water', sphere: 'housing', name: 'Відсутність гарячого водопостачання', nameEn: 'No hot water', rule: 'fixed', executor: 'teplo', deadlineHours: 24, survey: true, share: top(55_645), season: 'summer',
    texts: ['Немає гарячої води у квартирі з ранку', 'Відсутнє гаряче водопостачання в усьому під\'їзді', 'Другу добу немає гарячої води'] },
  { code: 'lift-broken', sphere: 'housing', name: 'Не працює пасажирський ліфт', nameEn: 'Lift not working', rule: 'fixed', executor: 'liftservice', deadlineHours: 24, survey: true, share: top(30_569), season: 'flat',
    texts: ['Не працює ліфт у під\'їзді', 'Ліфт зупинився між поверхами, зараз нікого немає', 'Ліфт не працює третій день'] },
  { code: 'stairwell-light', sphere: 'housing', name: 'Відсутнє освітлення у під\'їзді', nameEn: 'No stairwell lighting', rule: 'housing_office', executor: 'zhek', deadlineHours: 72, survey: true, share: top(14_237), season: 'winter',
    texts: ['Немає світла на сходовій клітці', 'Не горять лампи в під\'їзді на всіх поверхах', 'Темно в під\'їзді, перегоріли лампи'] },
  { code: 'freight-lift', sphere: 'housing', name: 'Не працює вантажний ліфт', nameEn: 'Freight lift not working', rule: 'fixed', executor: 'liftservice', deadlineHours: 72, survey: true, share: top(11_764), season: 'flat',
    texts: ['Не працює вантажний ліфт', 'Вантажний ліфт вимкнений понад тиждень'] },
  { code: 'hot-water-temperature', sphere: 'housing', name: 'Низька температура гарячої води', nameEn: 'Hot water temperature too low', rule: 'fixed', executor: 'teplo', deadlineHours: 72, survey: true, share: top(11_311), season: 'flat',
    texts: ['Гаряча вода ледь тепла', 'Температура гарячої води нижче норми'] },
  { code: 'no-cold-water', sphere: 'housing', name: 'Відсутнє холодне водопостачання', nameEn: 'No cold water', rule: 'fixed', executor: 'vodokanal', deadlineHours: 24, survey: true, share: top(10_567), season: 'flat',
    texts: ['Немає холодної води', 'Слабкий тиск холодної води, на верхніх поверхах немає води'] },
  { code: 'heating-temperature', sphere: 'housing', name: 'Низька температура опалення', nameEn: 'Heating temperature too low', rule: 'housing_office', executor: 'teplo', deadlineHours: 72, survey: true, share: top(9_426), season: 'winter',
    texts: ['Холодні батареї в квартирі', 'У квартирі 15 градусів, батареї ледь теплі'] },
  { code: 'asphalt-repair', sphere: 'housing', name: 'Ремонт асфальтового покриття', nameEn: 'Asphalt repair', rule: 'district', executor: 'dorogy', deadlineHours: 720, survey: true, share: top(9_042), season: 'warm',
    texts: ['Ями на прибудинковій території', 'Зруйноване асфальтове покриття біля під\'їзду'] },
  { code: 'subsidy', sphere: 'housing', name: 'Нарахування субсидій', nameEn: 'Subsidy calculation', rule: 'fixed', executor: 'social', deadlineHours: 240, survey: false, share: top(8_776), season: 'winter',
    texts: ['Не нарахували субсидію за минулий місяць', 'Прошу перерахувати субсидію'] },
  { code: 'territory-cleaning', sphere: 'housing', name: 'Прибирання територій', nameEn: 'Cleaning of territories', rule: 'district', executor: 'blagoustrij', deadlineHours: 72, survey: true, infraKind: 'cleaning_zone', share: top(8_112), season: 'flat',
    texts: ['Не прибирається прибудинкова територія', 'Сміття біля будинку тиждень не прибирають', 'Не розчищено сніг у дворі'] },
  { code: 'roof-leak', sphere: 'housing', name: 'Протікання покрівлі', nameEn: 'Roof leak', rule: 'housing_office', executor: 'zhek', deadlineHours: 240, survey: true, share: 3.0, season: 'warm',
    texts: ['Протікає дах, заливає квартиру на останньому поверсі', 'Тече покрівля над під\'їздом'] },
  { code: 'sewer-blockage', sphere: 'housing', name: 'Засмічення каналізації', nameEn: 'Sewer blockage', rule: 'housing_office', executor: 'vodokanal', deadlineHours: 24, survey: true, share: 2.6, season: 'flat',
    texts: ['Засмічення каналізації в підвалі', 'Не проходить каналізація, затоплює підвал'] },
  { code: 'no-electricity', sphere: 'housing', name: 'Відсутнє електропостачання', nameEn: 'No electricity', rule: 'fixed', executor: 'oblenergo', deadlineHours: 24, survey: true, share: 2.2, season: 'winter',
    texts: ['Немає світла в будинку', 'Відсутня електроенергія в під\'їзді та квартирах'] },
  { code: 'gas-smell', sphere: 'housing', name: 'Запах газу', nameEn: 'Smell of gas', rule: 'fixed', executor: 'gaz', deadlineHours: 2, survey: false, share: 1.0, season: 'winter',
    texts: ['Запах газу на сходовій клітці', 'Відчувається запах газу біля будинку'] },
  { code: 'no-heating', sphere: 'housing', name: 'Відсутнє опалення', nameEn: 'No heating', rule: 'fixed', executor: 'teplo', deadlineHours: 24, survey: true, share: 2.4, season: 'winter',
    texts: ['Немає опалення в будинку', 'Батареї холодні в усьому будинку'] },
  { code: 'yard-landscaping', sphere: 'housing', name: 'Благоустрій прибудинкової території', nameEn: 'Yard landscaping', rule: 'district', executor: 'blagoustrij', deadlineHours: 240, survey: true, share: 1.2, season: 'warm',
    texts: ['Зламаний дитячий майданчик', 'Прошу встановити лавки біля під\'їзду'] },
  { code: 'entrance-repair', sphere: 'housing', name: 'Ремонт під\'їзду', nameEn: 'Stairwell repair', rule: 'housing_office', executor: 'zhek', deadlineHours: 720, survey: true, share: 1.0, season: 'warm',
    texts: ['Розбите вікно в під\'їзді', 'Не зачиняються вхідні двері під\'їзду'] },
  { code: 'traffic-light', sphere: 'transport', name: 'Несправний світлофор', nameEn: 'Traffic light broken', rule: 'fixed', executor: 'dorogy', deadlineHours: 24, survey: true, infraKind: 'traffic_light', share: 1.2, season: 'flat',
    texts: ['Не працює світлофор на перехресті', 'Світлофор блимає жовтим', 'Не працює кнопка пішохідного світлофора'] },
  { code: 'stop-damaged', sphere: 'transport', name: 'Пошкоджена зупинка громадського транспорту', nameEn: 'Stop damaged', rule: 'fixed', executor: 'transport', deadlineHours: 120, survey: true, infraKind: 'stop', share: 0.9, season: 'flat',
    texts: ['Розбите скло на зупинці', 'Зупинка без даху і лавки'] },
  { code: 'road-pothole', sphere: 'transport', name: 'Вибоїни на проїжджій частині', nameEn: 'Road potholes', rule: 'fixed', executor: 'dorogy', deadlineHours: 240, survey: true, share: 1.5, season: 'warm',
    texts: ['Глибока яма на дорозі', 'Провалля асфальту на проїжджій частині'] },
  { code: 'street-lighting', sphere: 'transport', name: 'Не працює вуличне освітлення', nameEn: 'Street lighting out', rule: 'fixed', executor: 'svitlo', deadlineHours: 72, survey: true, share: 1.2, season: 'winter',
    texts: ['Не горять ліхтарі на вулиці', 'Немає вуличного освітлення вночі'] },
  { code: 'public-transport', sphere: 'transport', name: 'Робота громадського транспорту', nameEn: 'Public transport service', rule: 'fixed', executor: 'transport', deadlineHours: 72, survey: false, share: 1.0, season: 'flat',
    texts: ['Маршрутка не зупиняється на зупинці', 'Великий інтервал руху тролейбуса'] },
  { code: 'social-aid', sphere: 'social', name: 'Матеріальна допомога', nameEn: 'Financial assistance', rule: 'fixed', executor: 'social', deadlineHours: 240, survey: true, share: 2.0, season: 'flat',
    texts: ['Прошу надати матеріальну допомогу на лікування', 'Як отримати допомогу переселенцям'] },
  { code: 'social-benefits', sphere: 'social', name: 'Пільги та соціальні виплати', nameEn: 'Benefits and social payments', rule: 'fixed', executor: 'social', deadlineHours: 240, survey: false, share: 1.6, season: 'flat',
    texts: ['Не надійшла соціальна виплата', 'Питання щодо пільг на комунальні послуги'] },
  { code: 'clinic', sphere: 'health', name: 'Робота закладів охорони здоров\'я', nameEn: 'Clinics', rule: 'fixed', executor: 'health', deadlineHours: 72, survey: false, share: 1.0, season: 'winter',
    texts: ['Неможливо записатися до сімейного лікаря', 'Черги в поліклініці'] },
  { code: 'pharmacy', sphere: 'health', name: 'Забезпечення ліками', nameEn: 'Medicines', rule: 'fixed', executor: 'health', deadlineHours: 72, survey: false, share: 0.6, season: 'flat',
    texts: ['Немає пільгових ліків в аптеці', 'Не видають інсулін за рецептом'] },
  { code: 'illegal-kiosk', sphere: 'kiosks', name: 'Незаконно встановлений МАФ', nameEn: 'Illegal kiosk', rule: 'fixed', executor: 'torgivlia', deadlineHours: 240, survey: true, infraKind: 'kiosk', share: 0.9, season: 'warm',
    texts: ['Встановили кіоск на тротуарі без дозволу', 'МАФ заважає проходу пішоходів'] },
  { code: 'kiosk-sanitary', sphere: 'kiosks', name: 'Порушення правил торгівлі у МАФі', nameEn: 'Kiosk trading violations', rule: 'fixed', executor: 'torgivlia', deadlineHours: 120, survey: true, infraKind: 'kiosk', share: 0.4, season: 'warm',
    texts: ['Продаж алкоголю вночі в кіоску', 'Антисанітарія біля кіоску'] },
  { code: 'container-overflow', sphere: 'environment', name: 'Переповнений контейнерний майданчик', nameEn: 'Container site overflowing', rule: 'fixed', executor: 'blagoustrij', deadlineHours: 24, survey: true, infraKind: 'container_site', share: 2.0, season: 'warm',
    texts: ['Не вивозять сміття з контейнерів', 'Контейнери переповнені, сміття навколо майданчика'] },
  { code: 'stray-animals', sphere: 'environment', name: 'Безпритульні тварини', nameEn: 'Stray animals', rule: 'fixed', executor: 'blagoustrij', deadlineHours: 120, survey: true, share: 0.8, season: 'flat',
    texts: ['Зграя собак біля школи', 'Безпритульні собаки у дворі'] },
  { code: 'noise', sphere: 'environment', name: 'Порушення тиші', nameEn: 'Noise', rule: 'fixed', executor: 'varta', deadlineHours: 24, survey: false, share: 0.5, season: 'warm',
    texts: ['Гучна музика вночі в кафе', 'Шумні ремонтні роботи після 22:00'] },
  { code: 'tree-trimming', sphere: 'environment', name: 'Аварійні дерева, обрізка', nameEn: 'Dangerous trees, trimming', rule: 'fixed', executor: 'blagoustrij', deadlineHours: 240, survey: true, share: 1.0, season: 'warm',
    texts: ['Аварійне дерево нахилилося над дорогою', 'Прошу обрізати гілки біля вікон'] },
];

export const SEASONS: Record<Season, number[]> = {
  flat: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  summer: [0.6, 0.6, 0.6, 0.8, 1.4, 1.9, 1.9, 1.7, 1.0, 0.6, 0.5, 0.6],
  winter: [1.9, 1.7, 1.3, 0.6, 0.3, 0.2, 0.2, 0.2, 0.4, 1.5, 1.9, 2.0],
  warm: [0.5, 0.5, 0.8, 1.3, 1.5, 1.4, 1.3, 1.3, 1.2, 1.0, 0.7, 0.5],
};

export interface ExecutorDef {
  code: string; name: string; nameEn: string; kind: 'utility' | 'housing_office' | 'city_service';
  utility?: 'electricity' | 'gas' | 'cold_water' | 'hot_water' | 'heating'; district?: number; phone: string;
}

/** The city's organisations; `names` localises the utilities to the preset's city. */
export function executors(city: 'if' | 'kyiv', districts: string[], phone: (i: number) => string): ExecutorDef[] {
  const kyiv = city === 'kyiv';
  const list: Omit<ExecutorDef, 'phone'>[] = [
    { code: 'oblenergo', kind: 'utility', utility: 'electricity', name: kyiv ? 'ДТЕК Київські електромережі' : 'АТ «Прикарпаттяобленерго»', nameEn: kyiv ? 'DTEK Kyiv Electric Networks' : 'Prykarpattiaoblenergo' },
    { code: 'gaz', kind: 'utility', utility: 'gas', name: kyiv ? 'АТ «Київгаз»' : 'АТ «Івано-Франківськгаз»', nameEn: kyiv ? 'Kyivgaz' : 'Ivano-Frankivskgaz' },
    { code: 'vodokanal', kind: 'utility', utility: 'cold_water', name: kyiv ? 'ПрАТ «АК «Київводоканал»' : 'КП «Івано-Франківськводоекотехпром»', nameEn: kyiv ? 'Kyivvodokanal' : 'Ivano-Frankivskvodoekotekhprom' },
    { code: 'teplo', kind: 'utility', utility: 'heating', name: kyiv ? 'КП «Київтеплоенерго»' : 'ОКП «Івано-Франківськтеплокомуненерго»', nameEn: kyiv ? 'Kyivteploenergo' : 'Ivano-Frankivskteplokomunenergo' },
    ...districts.map((d, i) => ({ code: `zhek-${i + 1}`, kind: 'housing_office' as const, district: i + 1, name: `ЖЕК №${i + 1} (${d})`, nameEn: `Housing office No. ${i + 1}` })),
    { code: 'dorogy', kind: 'city_service', name: 'Управління дорожнього господарства', nameEn: 'Roads department' },
    { code: 'transport', kind: 'city_service', name: 'Управління транспорту та зв\'язку', nameEn: 'Transport department' },
    { code: 'svitlo', kind: 'city_service', name: 'КП «Міськсвітло»', nameEn: 'Street lighting company' },
    { code: 'blagoustrij', kind: 'city_service', name: 'КП «Муніципальна служба благоустрою»', nameEn: 'Cleaning and landscaping service' },
    { code: 'liftservice', kind: 'city_service', name: 'КП «Ліфтсервіс»', nameEn: 'Lift service' },
    { code: 'social', kind: 'city_service', name: 'Департамент соціальної політики', nameEn: 'Social policy department' },
    { code: 'health', kind: 'city_service', name: 'Департамент охорони здоров\'я', nameEn: 'Health department' },
    { code: 'torgivlia', kind: 'city_service', name: 'Управління торгівлі та контролю за МАФ', nameEn: 'Trade and kiosk control' },
    { code: 'varta', kind: 'city_service', name: 'Муніципальна варта', nameEn: 'Municipal guard' },
  ];
  return list.map((e, i) => ({ ...e, phone: phone(i) }));
}

/** Which utility company publishes announcements for a utility. */
export const UTILITY_EXECUTOR: Record<string, string> = {
  electricity: 'oblenergo', gas: 'gaz', cold_water: 'vodokanal', hot_water: 'teplo', heating: 'teplo',
};
