// Entry point for cdk8s-cli's `validations:` (a local path must name a file cdk8s-cli can require).
module.exports = require('./lib/app/plugin/validation-plugin.js');
