/** Attribute specs shared by every standard-attribute resource (id, project, description, tags, timestamps). */
import { NOT_SPECIFIED, type AttrSpec, toBoolean, validateString, validateUuid } from '../attributes.js'

export const readOnly = (extra: Partial<AttrSpec> = {}): AttrSpec => ({
  allowPost: false,
  allowPut: false,
  isVisible: true,
  isFilter: true,
  isSortKey: true,
  ...extra,
})

/** Settable on POST and PUT, optional (the plugin fills what is NOT_SPECIFIED), filterable, sortable. */
export const optional = (extra: Partial<AttrSpec> = {}): AttrSpec => ({
  allowPost: true,
  allowPut: true,
  default: NOT_SPECIFIED,
  isVisible: true,
  isFilter: true,
  isSortKey: true,
  ...extra,
})

export const idAttr: AttrSpec = readOnly({ validate: validateUuid })

/** `project_id`/`tenant_id`: settable on POST (admins for other projects); policy fills it otherwise. */
export const projectAttr: AttrSpec = {
  allowPost: true,
  allowPut: false,
  default: NOT_SPECIFIED,
  validate: validateString(255),
  isVisible: true,
  isFilter: true,
  isSortKey: true,
}

export const nameAttr: AttrSpec = {
  allowPost: true,
  allowPut: true,
  default: '',
  validate: validateString(255),
  isVisible: true,
  isFilter: true,
  isSortKey: true,
}

export const descriptionAttr: AttrSpec = { ...nameAttr }

export const boolAttr = (def: boolean, extra: Partial<AttrSpec> = {}): AttrSpec => ({
  allowPost: true,
  allowPut: true,
  default: def,
  convert: toBoolean,
  isVisible: true,
  isFilter: true,
  isSortKey: true,
  ...extra,
})

export const standardAttrs = {
  id: idAttr,
  project_id: projectAttr,
  tenant_id: projectAttr,
  description: descriptionAttr,
  tags: readOnly({ isSortKey: false }),
  created_at: readOnly(),
  updated_at: readOnly(),
  revision_number: readOnly(),
} as const
