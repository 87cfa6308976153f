import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { fetchOrgs } from '@/service/api';
import { buildOrgTree } from '@/utils/org';

/** The caller's organisation subtree, loaded once and shared by every filter and label. */
export const useOrgStore = defineStore('org', () => {
  const nodes = ref<Api.Org.OrgNode[]>([]);
  const loaded = ref(false);
  const tree = computed(() => buildOrgTree(nodes.value));
  const byId = computed(() => new Map(nodes.value.map((n) => [n.id, n])));

  async function load(force = false) {
    if (loaded.value && !force) return;
    nodes.value = (await fetchOrgs()).items;
    loaded.value = true;
  }

  function name(id: string | null | undefined) {
    if (!id) return '-';
    return byId.value.get(id)?.name ?? id;
  }

  function reset() {
    nodes.value = [];
    loaded.value = false;
  }

  return { nodes, tree, byId, loaded, load, name, reset };
});
