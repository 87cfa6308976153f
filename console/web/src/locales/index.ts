import { createI18n } from 'vue-i18n';
import zhCN, { type LocaleSchema } from './langs/zh-cn';
import enUS from './langs/en-us';

export type LangType = 'zh-CN' | 'en-US';
export const LANG_STORAGE_KEY = 'edusentry.lang';

export const langOptions: { label: string; key: LangType }[] = [
  { label: '简体中文', key: 'zh-CN' },
  { label: 'English', key: 'en-US' },
];

function initialLang(): LangType {
  const saved = localStorage.getItem(LANG_STORAGE_KEY);
  return saved === 'en-US' || saved === 'zh-CN' ? saved : 'zh-CN';
}

export const i18n = createI18n<[LocaleSchema], LangType, false>({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, 'en-US': enUS },
});

/** Translate outside components (stores, router guards, request layer). */
export const $t = i18n.global.t;

export function setLocale(lang: LangType) {
  i18n.global.locale.value = lang;
  localStorage.setItem(LANG_STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}
