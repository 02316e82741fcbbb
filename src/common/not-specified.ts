/** Marks an attribute the request did not give (neutron_lib constants.ATTR_NOT_SPECIFIED). */
export const NOT_SPECIFIED: unique symbol = Symbol('ATTR_NOT_SPECIFIED')
