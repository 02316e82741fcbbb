/** Public API of the configuration subsystem (oslo.config-compatible INI files). */
export { ConfigError, type ConfigLocation, formatConfigMessage } from './config-error.js';
export { formatConfigForLog, maskUrlPasswords } from './format-config.js';
export { interpolate, InterpolationError } from './interpolate.js';
export { ml2OdlSection } from './ml2-odl-opts.js';
export { keystoneAuthtokenSection } from './keystone-authtoken.js';
export {
  buildConfig, type ConfigSource, type DeprecatedSetting, listConfigFiles, loadConfig, type LoadConfigOptions,
  loadConfigWithReport, type LoadReport, type LoadResult, type UnknownSetting,
} from './load-config.js';
export {
  type Ml2Config, ml2MechTestSection, ml2Section, ml2Sections, type Ml2Settings, ml2TypeFlatSection,
  ml2TypeGreSection, ml2TypeVlanSection, ml2TypeVxlanSection, validateMl2Config,
} from './ml2-config.js';
export {
  type FailOnRule, type IdRange, MAX_GRE_ID, MAX_VLAN_TAG, MAX_VXLAN_VNI, MIN_GRE_ID, MIN_VLAN_TAG, MIN_VXLAN_VNI,
  NetworkRangeError, parseFailOn, parsePhysnetMtus, parseTunnelRanges, parseVlanRange, parseVlanRanges, type TunnelType,
} from './network-ranges.js';
export { type NeutrinoConfig, neutrinoSchema, neutrinoSections } from './neutrino-schema.js';
export { databaseSection, defaultSection, oslomiddlewareSection } from './neutron-opts.js';
export {
  type AnyOpt, boolOpt, type CommonOptions, type DefaultContext, dictOpt, enumOpt, floatOpt, intOpt, listOpt,
  multiStrOpt, type Opt, type OptKind, type OptValue, OptValueError, parseBoolean, parseInteger, portOpt, splitList, strOpt,
} from './opts.js';
export { parseArgs, type ParsedArgs } from './parse-args.js';
export { type IniAssignment, parseIni, type ParsedIni } from './parse-ini.js';
export {
  renderOptionsMarkdown, renderSamples, SAMPLE_FILES, type SampleName, updateConfigDoc, writeConfigDoc, writeSamples,
} from './render-samples.js';
export {
  type AnySection, type ConfigOf, extendSchema, type MergedSection, type OptMap, registerSections, type Schema,
  section, type SectionDef, type SectionValues, type ValidationContext, validationContext,
} from './schema.js';
export { defaultStatePath } from './state-path.js';
