// Rules are data; this module only tells code where they live.
const path = require('node:path');
module.exports = {
  sigmaDir: path.join(__dirname, 'sigma'),
  mlpsDir: path.join(__dirname, 'mlps'),
  pipelinesDir: path.join(__dirname, 'pipelines'),
  drillsDir: path.join(__dirname, 'drills'),
};
