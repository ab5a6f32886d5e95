// Generated from proto/book.proto by scripts/generateDescriptor.ts. Do not edit: edit the .proto and regenerate.
import type { INamespace } from 'protobufjs/light.js';

// protobufjs writes fields (protoName) its own INamespace type does not list, hence the cast.
export const bookDescriptor = {
  "nested": {
    "twohop": {
      "nested": {
        "orderbook": {
          "nested": {
            "BookLevels": {
              "fields": {
                "bidPrice": {
                  "rule": "repeated",
                  "type": "sint64",
                  "id": 1,
                  "protoName": "bid_price"
                },
                "bidQuantity": {
                  "rule": "repeated",
                  "type": "uint64",
                  "id": 2,
                  "protoName": "bid_quantity"
                },
                "askPrice": {
                  "rule": "repeated",
                  "type": "sint64",
                  "id": 3,
                  "protoName": "ask_price"
                },
                "askQuantity": {
                  "rule": "repeated",
                  "type": "uint64",
                  "id": 4,
                  "protoName": "ask_quantity"
                }
              }
            }
          }
        }
      }
    }
  }
} as unknown as INamespace;
