import type { Component } from 'vue';
import {
  AlertCircleOutline,
  FlameOutline,
  GitNetworkOutline,
  GlobeOutline,
  HardwareChipOutline,
  MegaphoneOutline,
  PeopleOutline,
  ReceiptOutline,
  ShieldHalfOutline,
  SearchOutline,
  SpeedometerOutline,
} from '@vicons/ionicons5';

/** Route meta.icon → icon component. */
export const menuIcons: Record<string, Component> = {
  posture: SpeedometerOutline,
  alerts: AlertCircleOutline,
  incidents: FlameOutline,
  notices: MegaphoneOutline,
  collectors: HardwareChipOutline,
  sites: GlobeOutline,
  search: SearchOutline,
  users: PeopleOutline,
  orgs: GitNetworkOutline,
  audit: ReceiptOutline,
  rules: ShieldHalfOutline,
};
