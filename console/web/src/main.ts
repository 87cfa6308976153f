import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './locales';
import { setupStore } from './store';
import { setupRouter } from './router';
import './styles/global.css';

async function bootstrap() {
  const app = createApp(App);
  setupStore(app);
  app.use(i18n);
  document.documentElement.lang = i18n.global.locale.value;
  await setupRouter(app);
  app.mount('#app');
}

bootstrap();
