import type { GlobalThemeOverrides } from 'naive-ui';

/** One primary blue across both schemes; dark mode gets deeper surfaces for wall displays. */
export function themeOverrides(dark: boolean): GlobalThemeOverrides {
  return {
    common: {
      primaryColor: '#1f6feb',
      primaryColorHover: '#4a8cf7',
      primaryColorPressed: '#1557c0',
      primaryColorSuppl: '#4a8cf7',
      borderRadius: '6px',
      fontFamily: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", -apple-system, "Segoe UI", Roboto, sans-serif',
      ...(dark
        ? { bodyColor: '#0f141c', cardColor: '#161c26', modalColor: '#161c26', popoverColor: '#1c2330' }
        : { bodyColor: '#f3f5f9' }),
    },
    Layout: dark
      ? { siderColor: '#121821', headerColor: '#121821' }
      : { siderColor: '#ffffff', headerColor: '#ffffff' },
    Card: { borderRadius: '8px' },
  };
}
