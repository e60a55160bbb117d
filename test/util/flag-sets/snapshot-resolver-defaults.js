// Snapshot resolver of the jest project `defaults` (see snapshot-resolver.js).
module.exports = require('./snapshot-resolver').resolverFor('');
