/** The single JSON mapping (Jackson) shared by protocol records, events and REST. */
package io.thinkloop.json;
