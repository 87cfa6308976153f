import type { DialogApi, MessageApi, NotificationApi } from 'naive-ui';

declare global {
  interface Window {
    /** Registered once by components/common/app-provider.vue. */
    $message?: MessageApi;
    $dialog?: DialogApi;
    $notification?: NotificationApi;
  }
}
export {};
