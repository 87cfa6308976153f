/** GB 11643 check digits, mobile numbers, masking. */
import { findPersonalData, idCheckDigit, isValidIdNumber } from '../src';

test('the GB 11643 check digit (ISO 7064 MOD 11-2), X included', () => {
  expect(idCheckDigit('11010519491231002')).toBe('X');
  expect(isValidIdNumber('11010519491231002X')).toBe(true);
  expect(isValidIdNumber('110105194912310021')).toBe(false);
  expect(isValidIdNumber('11010519491331002X')).toBe(false); // month 13
  expect(isValidIdNumber('110105194902300020')).toBe(false); // 30 February
});

test('counts distinct numbers, masks samples, does not count an ID number as a mobile', () => {
  const id = '11010519491231002X';
  const pd = findPersonalData(
    `甲 ${id} 乙 ${id} 丙 13812345678 丁 +86 139-1234-5678 戊 1381234567 ${id.slice(0, 17)}1`,
  );
  expect(pd).toEqual({ idNumbers: 1, mobiles: 2, samples: ['110*************2X', '138****5678', '139****5678'] });
  expect(findPersonalData('订单 12345678901234567890')).toEqual({ idNumbers: 0, mobiles: 0, samples: [] });
});
