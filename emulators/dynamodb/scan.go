package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"

	miniserver "github.com/truora/minidyn/server"
)

// scan runs a whole-table Scan on every partition's minidyn and answers with their items and counts together, in one
// page. A Scan that pages (Limit, ExclusiveStartKey) or is split into segments is refused: pages would span partitions.
func (r *router) scan(w http.ResponseWriter, req *http.Request, body []byte) {
	var input struct {
		TableName         string          `json:"TableName"`
		Limit             *int            `json:"Limit"`
		ExclusiveStartKey json.RawMessage `json:"ExclusiveStartKey"`
		TotalSegments     *int            `json:"TotalSegments"`
	}
	if err := json.Unmarshal(body, &input); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if input.Limit != nil || len(input.ExclusiveStartKey) > 0 || input.TotalSegments != nil {
		writeError(w, http.StatusBadRequest, "ValidationException",
			"a Scan with Limit, ExclusiveStartKey or segments is not served by this emulator (one minidyn per partition key): scan the whole table in one request")
		return
	}
	r.mu.Lock()
	t, ok := r.tables[input.TableName]
	servers := []*miniserver.Server{}
	if ok {
		servers = append(servers, t.first)
		for _, s := range t.partitions {
			servers = append(servers, s)
		}
	}
	r.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found")
		return
	}
	merged := struct {
		Items        []json.RawMessage `json:"Items,omitempty"`
		Count        int               `json:"Count"`
		ScannedCount int               `json:"ScannedCount"`
	}{}
	for _, server := range servers {
		one := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		one.Header = req.Header.Clone()
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, one)
		if rec.Code != http.StatusOK {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		var page struct {
			Items        []json.RawMessage `json:"Items"`
			Count        int               `json:"Count"`
			ScannedCount int               `json:"ScannedCount"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
			return
		}
		merged.Items = append(merged.Items, page.Items...)
		merged.Count += page.Count
		merged.ScannedCount += page.ScannedCount
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(merged)
}
