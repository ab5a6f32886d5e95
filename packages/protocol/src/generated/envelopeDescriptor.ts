// Generated from proto/envelope.proto by scripts/generateDescriptor.ts. Do not edit: edit the .proto and regenerate.
import type { INamespace } from 'protobufjs/light.js';

// protobufjs writes fields (protoName) its own INamespace type does not list, hence the cast.
export const envelopeDescriptor = {
  "nested": {
    "twohop": {
      "nested": {
        "Snapshot": {
          "oneofs": {
            "_checksumNumber": {
              "oneof": [
                "checksumNumber"
              ]
            },
            "_checksumText": {
              "oneof": [
                "checksumText"
              ]
            }
          },
          "fields": {
            "stream": {
              "type": "string",
              "id": 1
            },
            "epoch": {
              "type": "string",
              "id": 2
            },
            "seq": {
              "type": "uint64",
              "id": 3
            },
            "data": {
              "type": "bytes",
              "id": 4
            },
            "checksumNumber": {
              "type": "double",
              "id": 5,
              "protoName": "checksum_number",
              "options": {
                "proto3_optional": true
              }
            },
            "checksumText": {
              "type": "string",
              "id": 6,
              "protoName": "checksum_text",
              "options": {
                "proto3_optional": true
              }
            }
          }
        },
        "Delta": {
          "oneofs": {
            "_from": {
              "oneof": [
                "from"
              ]
            },
            "_checksumNumber": {
              "oneof": [
                "checksumNumber"
              ]
            },
            "_checksumText": {
              "oneof": [
                "checksumText"
              ]
            },
            "_ts": {
              "oneof": [
                "ts"
              ]
            }
          },
          "fields": {
            "stream": {
              "type": "string",
              "id": 1
            },
            "epoch": {
              "type": "string",
              "id": 2
            },
            "seq": {
              "type": "uint64",
              "id": 3
            },
            "from": {
              "type": "uint64",
              "id": 4,
              "options": {
                "proto3_optional": true
              }
            },
            "data": {
              "type": "bytes",
              "id": 5
            },
            "checksumNumber": {
              "type": "double",
              "id": 6,
              "protoName": "checksum_number",
              "options": {
                "proto3_optional": true
              }
            },
            "checksumText": {
              "type": "string",
              "id": 7,
              "protoName": "checksum_text",
              "options": {
                "proto3_optional": true
              }
            },
            "ts": {
              "type": "double",
              "id": 8,
              "options": {
                "proto3_optional": true
              }
            }
          }
        },
        "Batch": {
          "fields": {
            "stream": {
              "type": "string",
              "id": 1
            },
            "items": {
              "rule": "repeated",
              "type": "Delta",
              "id": 2
            }
          }
        },
        "Heartbeat": {
          "fields": {
            "ts": {
              "type": "double",
              "id": 1
            }
          }
        },
        "Envelope": {
          "oneofs": {
            "message": {
              "oneof": [
                "snapshot",
                "delta",
                "batch",
                "heartbeat"
              ]
            }
          },
          "fields": {
            "snapshot": {
              "type": "Snapshot",
              "id": 1
            },
            "delta": {
              "type": "Delta",
              "id": 2
            },
            "batch": {
              "type": "Batch",
              "id": 3
            },
            "heartbeat": {
              "type": "Heartbeat",
              "id": 4
            }
          }
        }
      }
    }
  }
} as unknown as INamespace;
