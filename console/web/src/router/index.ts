import type { App } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import { routes } from './routes';
import { setupRouterGuard } from './guard';

export const router = createRouter({ history: createWebHistory(), routes });

export async function setupRouter(app: App) {
  app.use(router);
  setupRouterGuard(router);
  // A page chunk that fails to load (server restarted with a new build) → the 500 page, not a blank one.
  router.onError((err) => {
    console.error(err);
    router.push({ name: '500' });
  });
  await router.isReady();
}
