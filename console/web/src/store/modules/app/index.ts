import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { i18n, setLocale, type LangType } from '@/locales';

export type ThemeScheme = 'light' | 'dark';
const THEME_KEY = 'edusentry.theme';

/** App-wide UI state: theme, language, sider. Persisted in localStorage. */
export const useAppStore = defineStore('app', () => {
  const saved = localStorage.getItem(THEME_KEY);
  const themeScheme = ref<ThemeScheme>(saved === 'dark' || saved === 'light' ? saved : 'light');
  const siderCollapsed = ref(false);
  const locale = computed(() => i18n.global.locale.value as LangType);
  const isDark = computed(() => themeScheme.value === 'dark');

  function toggleTheme() {
    themeScheme.value = isDark.value ? 'light' : 'dark';
  }
  function setTheme(s: ThemeScheme) {
    themeScheme.value = s;
  }
  function changeLocale(lang: LangType) {
    setLocale(lang);
  }

  watch(
    themeScheme,
    (s) => {
      localStorage.setItem(THEME_KEY, s);
      document.documentElement.classList.toggle('dark', s === 'dark');
    },
    { immediate: true },
  );

  return { themeScheme, isDark, siderCollapsed, locale, toggleTheme, setTheme, changeLocale };
});
