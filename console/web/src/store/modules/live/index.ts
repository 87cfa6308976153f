import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { io, type Socket } from 'socket.io-client';
import { fetchAlertList } from '@/service/api';

type Listener<T> = (payload: T) => void;

const FEED_SIZE = 50;

/**
 * The socket.io connection (cookie-authenticated, same origin) and what it pushes:
 * a feed of the newest alerts, and fan-out to pages that listen for alert changes
 * and collector heartbeats.
 */
export const useLiveStore = defineStore('live', () => {
  const socket = shallowRef<Socket | null>(null);
  const connected = ref(false);
  const feed = ref<Api.Alert.Alert[]>([]);
  const alertListeners = new Set<Listener<Api.Alert.Alert>>();
  const updateListeners = new Set<Listener<Api.Alert.Alert>>();
  const heartbeatListeners = new Set<Listener<Api.Collector.Collector>>();
  let onEnded: ((reason: string) => void) | null = null;

  function connect(sessionEnded: (reason: string) => void) {
    onEnded = sessionEnded;
    if (socket.value) return;
    const s = io({ withCredentials: true, transports: ['websocket', 'polling'] });
    s.on('connect', () => (connected.value = true));
    s.on('disconnect', () => (connected.value = false));
    s.on('connect_error', () => (connected.value = false));
    s.on('alert:new', (a: Api.Alert.Alert) => {
      feed.value = [a, ...feed.value.filter((x) => x.event.id !== a.event.id)].slice(0, FEED_SIZE);
      for (const l of alertListeners) l(a);
    });
    s.on('alert:updated', (a: Api.Alert.Alert) => {
      feed.value = feed.value.map((x) => (x.event.id === a.event.id ? a : x));
      for (const l of updateListeners) l(a);
    });
    s.on('collector:heartbeat', (c: Api.Collector.Collector) => {
      for (const l of heartbeatListeners) l(c);
    });
    s.on('session:ended', (p: { reason: string }) => onEnded?.(p?.reason ?? 'expired'));
    socket.value = s;
  }

  /** Fills an empty feed with the newest stored alerts, so a fresh page is not blank. */
  async function prime() {
    if (feed.value.length) return;
    try {
      const res = await fetchAlertList({ page: 1, pageSize: FEED_SIZE, sort: '@timestamp', order: 'desc' });
      const seen = new Set(feed.value.map((a) => a.event.id));
      feed.value = [...feed.value, ...res.items.filter((a) => !seen.has(a.event.id))].slice(0, FEED_SIZE);
    } catch {
      // the feed fills from pushes instead
    }
  }

  function disconnect() {
    socket.value?.disconnect();
    socket.value = null;
    connected.value = false;
    feed.value = [];
  }

  /** Subscribe; returns the unsubscribe function (call it in onUnmounted). */
  function onAlert(l: Listener<Api.Alert.Alert>) {
    alertListeners.add(l);
    return () => alertListeners.delete(l);
  }
  function onAlertUpdated(l: Listener<Api.Alert.Alert>) {
    updateListeners.add(l);
    return () => updateListeners.delete(l);
  }
  function onHeartbeat(l: Listener<Api.Collector.Collector>) {
    heartbeatListeners.add(l);
    return () => heartbeatListeners.delete(l);
  }

  return { connected, feed, connect, prime, disconnect, onAlert, onAlertUpdated, onHeartbeat };
});
