/** A sample province: cities and schools with campus address ranges (10.<city>.<school>.0/24). */
import type { OrgNode } from '@edusentry/core';

const CITIES: [string, string[]][] = [
  ['江城市', ['江城第一中学', '江城实验小学', '江城职业技术学院', '江城外国语学校']],
  ['山海市', ['山海中学', '山海师范学院附属小学', '山海理工大学']],
  ['云岭市', ['云岭第二中学', '云岭民族中学', '云岭县中心小学']],
];

export function sampleProvince(): OrgNode[] {
  const nodes: OrgNode[] = [{ id: 'prov', name: '示范省教育厅', level: 'province', parentId: null, cidrs: [] }];
  CITIES.forEach(([city, schools], c) => {
    const cityId = `city-${c + 1}`;
    nodes.push({ id: cityId, name: `${city}教育局`, level: 'city', parentId: 'prov', cidrs: [] });
    schools.forEach((school, s) =>
      nodes.push({
        id: `school-${c + 1}-${s + 1}`,
        name: school,
        level: 'school',
        parentId: cityId,
        cidrs: [`10.${c + 1}.${s + 1}.0/24`],
      }),
    );
  });
  return nodes;
}
