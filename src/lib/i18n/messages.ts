// The one i18n table. Ukrainian is the default; every UI string has both languages.
// Keys are grouped by the part of the product that uses them.
export const LOCALES = ['uk', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'uk';

export const messages = {
  // App shell
  'app.name': { uk: 'Місто', en: 'Misto' },
  'app.tagline': { uk: 'Геопортал міста і служба оперативного реагування 15-80', en: 'City geoportal and the 15-80 rapid-response service' },
  'nav.home': { uk: 'Головна', en: 'Home' },
  'nav.karta': { uk: 'Карта міста', en: 'City map' },
  'nav.announcements': { uk: 'Оголошення', en: 'Announcements' },
  'nav.desk': { uk: 'Робоче місце оператора', en: 'Operator desk' },
  'nav.executor': { uk: 'Кабінет виконавця', en: 'Executor portal' },
  'nav.utility': { uk: 'Оголошення підприємства', en: 'Utility announcements' },
  'nav.analytics': { uk: 'Аналітика', en: 'Analytics' },
  'nav.signin': { uk: 'Увійти', en: 'Sign in' },
  'nav.signout': { uk: 'Вийти', en: 'Sign out' },
  'nav.language': { uk: 'English', en: 'Українська' },
  'nav.main': { uk: 'Основна навігація', en: 'Main navigation' },
  'role.admin': { uk: 'адміністратор', en: 'administrator' },
  'role.operator': { uk: 'оператор', en: 'operator' },
  'role.executor': { uk: 'виконавець', en: 'executor' },
  'role.analyst': { uk: 'аналітик', en: 'analyst' },

  // Landing page
  'home.title': { uk: 'Місто: дані, карта і звернення мешканців', en: 'Misto: city data, map and residents’ appeals' },
  'home.karta': { uk: 'Світлофори, зупинки, контейнерні майданчики, МАФи і закріплені території на карті міста.', en: 'Traffic lights, stops, waste container sites, kiosks and cleaning zones on the city map.' },
  'home.announcements': { uk: 'Планові відключення і розкопки комунальних підприємств: що стосується вашого будинку.', en: 'Utilities’ planned outages and excavations: what affects your building.' },
  'home.desk': { uk: 'Прийом дзвінків 15-80: картка мешканця, реєстрація звернення, об’єкт на карті.', en: '15-80 calls: the resident’s card, appeal registration, the object on the map.' },
  'home.executor': { uk: 'Звернення для комунальних підприємств і ЖЕКів, відповіді, записи розмов.', en: 'Appeals for utilities and housing offices, answers, call recordings.' },
  'home.analytics': { uk: 'Звіти за період і категоріями, оголошення, контрольні дзвінки.', en: 'Reports by period and category, announcements, control calls.' },
  'home.restricted': { uk: 'потрібен вхід', en: 'sign-in required' },
  'home.stats': { uk: 'У базі: {buildings} будинків, {residents} мешканців, {objects} об’єктів інфраструктури, {appeals} звернень.', en: 'In the database: {buildings} buildings, {residents} residents, {objects} infrastructure objects, {appeals} appeals.' },

  // Sign-in
  'login.title': { uk: 'Вхід', en: 'Sign in' },
  'login.login': { uk: 'Логін', en: 'Login' },
  'login.password': { uk: 'Пароль', en: 'Password' },
  'login.submit': { uk: 'Увійти', en: 'Sign in' },
  'login.error': { uk: 'Невірний логін або пароль', en: 'Wrong login or password' },
  'login.signedInAs': { uk: 'Ви увійшли як {name} ({role})', en: 'Signed in as {name} ({role})' },

  // Administration
  'nav.admin': { uk: 'Адміністрування', en: 'Administration' },
  'home.admin': { uk: 'Користувачі, ролі та організації.', en: 'Users, roles and organisations.' },
  'admin.users': { uk: 'Користувачі', en: 'Users' },
  'admin.login': { uk: 'Логін', en: 'Login' },
  'admin.name': { uk: 'Ім’я', en: 'Name' },
  'admin.role': { uk: 'Роль', en: 'Role' },
  'admin.executor': { uk: 'Організація', en: 'Organisation' },
  'admin.sip': { uk: 'Телефон оператора', en: 'Operator phone' },

  // Errors
  'error.403': { uk: 'Ця сторінка недоступна для вашої ролі.', en: 'This page is not available to your role.' },
  'error.404': { uk: 'Сторінку не знайдено.', en: 'Page not found.' },
  'error.generic': { uk: 'Щось пішло не так.', en: 'Something went wrong.' },
  'error.back': { uk: 'На головну', en: 'Back to the home page' },
} as const satisfies Record<string, Record<Locale, string>>;

export type MessageKey = keyof typeof messages;
