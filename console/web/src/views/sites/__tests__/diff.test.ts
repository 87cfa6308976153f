import { diffBlocks } from '../diff';

test('kept, removed and added blocks in page order', () => {
  expect(diffBlocks(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
    { op: 'same', text: 'a' },
    { op: 'removed', text: 'b' },
    { op: 'added', text: 'x' },
    { op: 'same', text: 'c' },
    { op: 'added', text: 'd' },
  ]);
  expect(diffBlocks([], ['<script>x</script>'])).toEqual([{ op: 'added', text: '<script>x</script>' }]);
});
