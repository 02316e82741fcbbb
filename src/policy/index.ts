export { ENFORCED_ATTRIBUTES, type EnforcedAttribute } from './attributes.js'
export { evaluate, evaluateTri, pyStr, targetIndependent, UNRESOLVED, type Credentials, type EvalEnv, type ParentResolver, type Target } from './checks.js'
export { NEUTRON_DEFAULT_POLICIES, type PolicyDefault } from './defaults.js'
export {
  ATTRIBUTES_TO_UPDATE,
  credentialsOf,
  PolicyDenied,
  PolicyEnforcer,
  type NeutronCheckOptions,
  type PolicyEnforcerOptions,
} from './enforcer.js'
export {
  andCheck,
  checkToString,
  FALSE,
  orCheck,
  parseCheck,
  parseRule,
  parseRuleStrict,
  PolicyParseError,
  ruleCheck,
  TRUE,
  type Check,
} from './parser.js'
export { findPolicyFile, loadPolicyFile, parsePolicyFile, PolicyFileError, validatePolicyRules, type PolicyRules } from './policy-file.js'
