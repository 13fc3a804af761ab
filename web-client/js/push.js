// Web Push on this device: whether the browser can, whether this device is subscribed, and
// turning it on (asking the browser's permission, subscribing with the server's key, telling
// the server) or off. No DOM here: views/reach.js shows it; the service worker (sw.js) shows
// what arrives.

import * as api from './api.js';

export function supported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** 'denied' when the browser's permission was refused (only its settings can undo that). */
export function permission() {
  return supported() ? Notification.permission : 'denied';
}

async function registration() {
  return navigator.serviceWorker.ready;
}

/** This device's subscription, or null. */
export async function current() {
  if (!supported()) return null;
  return (await registration()).pushManager.getSubscription();
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function label() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const system = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return system ? `${browser} · ${system}` : browser;
}

/** Ask, subscribe, register with the server; true when this device now gets pushes. */
export async function turnOn() {
  if (!supported()) return false;
  if ((await Notification.requestPermission()) !== 'granted') return false;
  const { key } = await api.pushKey();
  const manager = (await registration()).pushManager;
  let subscription = await manager.getSubscription();
  if (!subscription) {
    subscription = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  }
  await api.subscribePush({ ...subscription.toJSON(), label: label() });
  return true;
}

export async function turnOff() {
  const subscription = await current();
  if (!subscription) return;
  try {
    await api.unsubscribePush(subscription.endpoint);
  } catch (err) {
    if (err.status !== 404) throw err;
  }
  await subscription.unsubscribe();
}
