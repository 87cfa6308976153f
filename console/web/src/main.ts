import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './locales';
import { setupStore } from './store';
import { setupRouter } from './router';
import './styles/global.css';

async function bootstrap() {
  const app = createApp(App);
  // A render error becomes a message, never a blank page.
  app.config.errorHandler = (err) => {
    console.error(err);
    window.$message?.error(err instanceof Error ? err.message : String(err), { closable: true, duration: 8000 });
  };
  setupStore(app);
  app.use(i18n);
  document.documentElement.lang = i18n.global.locale.value;
  await setupRouter(app);
  app.mount('#app');
}

bootstrap();
