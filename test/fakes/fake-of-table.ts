/** Re-export of the OpenFlow pipeline fake for tests (the library ships it under testing/). */
export { FakeOFTable, type FakeFlow, type Output, type PacketFields, type PipelineResult } from '../../src/openflow/testing/fake-of-table.js'
