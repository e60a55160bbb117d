// Snapshot resolver of the jest project `cdk-init` (see snapshot-resolver.js).
module.exports = require('./snapshot-resolver').resolverFor('.cdk-init');
