/** Who is asking: built by the auth layer (noauth or keystone), read by policy and the plugin. */
export interface RequestContext {
  readonly projectId: string
  readonly userId: string | null
  readonly roles: readonly string[]
  readonly isAdmin: boolean
  readonly requestId: string
  /** Set when the request carried no project information at all (noauth default project). */
  readonly isDefaultProject?: boolean
}

export function adminContext(projectId = 'admin', requestId = 'req-internal'): RequestContext {
  return { projectId, userId: null, roles: ['admin'], isAdmin: true, requestId }
}
