/** Turn an API error into one translated sentence: the code's message if we know it, else the server's. */
export interface ErrorLike {
  code?: string;
  message?: string;
  details?: Record<string, any>;
}

export function errorText(
  err: ErrorLike,
  t: (key: string, named?: Record<string, unknown>) => string,
  te: (key: string) => boolean,
): string {
  if (err.code === 'NETWORK') return t('error.network');
  const key = `errorCode.${err.code}`;
  if (err.code && te(key)) return t(key, { msg: err.message ?? '' });
  return err.message || t('error.server');
}
