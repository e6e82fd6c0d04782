package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"

	miniserver "github.com/truora/minidyn/server"
)

// One minidyn per partition key. minidyn keeps a table as one sorted key list behind one lock: a Query reads every item
// of the table, and a TransactWriteItems deep-copies the whole table for its rollback, so its cost grows with the table
// (measured: 390 ms a transaction and 78 ms a query at 20,000 items). Routed by partition key, each minidyn holds one
// partition's items, so an operation costs what its partition holds. Every operation that names one partition key is
// served by minidyn as it is: the item operations, Query (by the key condition's partition key equality) and
// transactions and BatchGetItem calls whose items share a partition key, with minidyn's conditions, expressions and
// errors. Refused with an error that says so, because they span partitions: global secondary indexes, transactions and
// BatchGetItem across tables or partition keys, a Scan in pages or segments (scan.go serves a whole-table Scan) and
// BatchWriteItem.

const maxBody = 16 << 20

// table is one CreateTable: the request, replayed on each partition's minidyn, and the minidyn that answers for the table.
type table struct {
	create     []byte
	hashKey    string
	first      *miniserver.Server
	partitions map[string]*miniserver.Server
}

type router struct {
	mu     sync.Mutex
	tables map[string]*table
}

func newRouter() *router {
	return &router{tables: map[string]*table{}}
}

type keyed struct {
	TableName string                     `json:"TableName"`
	Key       map[string]json.RawMessage `json:"Key"`
	Item      map[string]json.RawMessage `json:"Item"`
}

func (k keyed) attributes() map[string]json.RawMessage {
	if k.Item != nil {
		return k.Item
	}
	return k.Key
}

type transactItem struct {
	Put            *keyed `json:"Put"`
	Update         *keyed `json:"Update"`
	Delete         *keyed `json:"Delete"`
	ConditionCheck *keyed `json:"ConditionCheck"`
	Get            *keyed `json:"Get"`
}

func (t transactItem) target() *keyed {
	for _, k := range []*keyed{t.Put, t.Update, t.Delete, t.ConditionCheck, t.Get} {
		if k != nil {
			return k
		}
	}
	return &keyed{}
}

func (r *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	op := req.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	if op == "Scan" {
		r.scan(w, req, body)
		return
	}
	target, status, code, message := r.route(op, body)
	if target == nil {
		writeError(w, status, code, message)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	target.ServeHTTP(w, req)
}

// route picks the minidyn that serves a request, or says why none does.
func (r *router) route(op string, body []byte) (*miniserver.Server, int, string, string) {
	switch op {
	case "CreateTable":
		return r.createTable(body)
	case "DescribeTable", "DeleteTable":
		var k keyed
		_ = json.Unmarshal(body, &k)
		r.mu.Lock()
		defer r.mu.Unlock()
		t, ok := r.tables[k.TableName]
		if !ok {
			return nil, http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found: Table: " + k.TableName + " not found"
		}
		if op == "DeleteTable" {
			delete(r.tables, k.TableName)
		}
		return t.first, 0, "", ""
	case "PutItem", "GetItem", "UpdateItem", "DeleteItem":
		var k keyed
		if err := json.Unmarshal(body, &k); err != nil {
			return nil, http.StatusBadRequest, "SerializationException", err.Error()
		}
		return r.partition(k.TableName, k.attributes())
	case "Query":
		return r.query(body)
	case "TransactWriteItems", "TransactGetItems":
		return r.transaction(body)
	case "BatchGetItem":
		return r.batchGet(body)
	}
	return nil, http.StatusBadRequest, "UnknownOperationException",
		fmt.Sprintf("%s is not served by this emulator (one minidyn per partition key; it serves operations on one partition key)", op)
}

func (r *router) createTable(body []byte) (*miniserver.Server, int, string, string) {
	var input struct {
		TableName              string `json:"TableName"`
		KeySchema              []struct{ AttributeName, KeyType string }
		GlobalSecondaryIndexes []json.RawMessage `json:"GlobalSecondaryIndexes"`
	}
	if err := json.Unmarshal(body, &input); err != nil {
		return nil, http.StatusBadRequest, "SerializationException", err.Error()
	}
	if len(input.GlobalSecondaryIndexes) > 0 {
		return nil, http.StatusBadRequest, "ValidationException",
			"global secondary indexes span partitions: not served by this emulator (one minidyn per partition key)"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.tables[input.TableName]; ok {
		return t.first, 0, "", "" // minidyn answers ResourceInUseException
	}
	first := miniserver.NewServer()
	if !replay(first, body) {
		return first, 0, "", "" // minidyn answers with its validation error, and keeps no table
	}
	t := &table{create: body, first: first, partitions: map[string]*miniserver.Server{}}
	for _, k := range input.KeySchema {
		if k.KeyType == "HASH" {
			t.hashKey = k.AttributeName
		}
	}
	r.tables[input.TableName] = t
	// The request is answered by a minidyn of its own, which creates the same table again and describes it.
	return miniserver.NewServer(), 0, "", ""
}

// replay sends a CreateTable to a minidyn; true when it created the table.
func replay(server *miniserver.Server, create []byte) bool {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(create))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.CreateTable")
	rec := httptest.NewRecorder()
	server.ServeHTTP(rec, req)
	return rec.Code == http.StatusOK
}

// partition is the minidyn of the item's partition key, created on first use with the table's CreateTable.
func (r *router) partition(tableName string, attributes map[string]json.RawMessage) (*miniserver.Server, int, string, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tables[tableName]
	if !ok {
		return nil, http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found"
	}
	id, ok := keyValue(attributes[t.hashKey])
	if !ok {
		return t.first, 0, "", "" // minidyn answers the missing or malformed key with its ValidationException
	}
	server, ok := t.partitions[id]
	if !ok {
		server = miniserver.NewServer()
		if !replay(server, t.create) {
			return nil, http.StatusInternalServerError, "InternalServerError", "the table could not be created for a new partition"
		}
		t.partitions[id] = server
	}
	return server, 0, "", ""
}

// keyValue is a key attribute value as one string: its type and value (a number in lowest terms).
func keyValue(raw json.RawMessage) (string, bool) {
	var value map[string]string
	if len(raw) == 0 || json.Unmarshal(raw, &value) != nil || len(value) != 1 {
		return "", false
	}
	for kind, v := range value {
		if kind == "N" {
			n, ok := new(big.Rat).SetString(v)
			if !ok {
				return "", false
			}
			v = n.RatString()
		}
		return kind + ":" + v, kind == "S" || kind == "N" || kind == "B"
	}
	return "", false
}

var (
	nameEqualsValue = regexp.MustCompile(`(#?[A-Za-z0-9_.\-]+)\s*=\s*(:[A-Za-z0-9_]+)`)
	valueEqualsName = regexp.MustCompile(`(:[A-Za-z0-9_]+)\s*=\s*(#?[A-Za-z0-9_.\-]+)`)
)

// query routes a Query by the partition key equality of its key condition.
func (r *router) query(body []byte) (*miniserver.Server, int, string, string) {
	var input struct {
		TableName                 string                     `json:"TableName"`
		KeyConditionExpression    string                     `json:"KeyConditionExpression"`
		ExpressionAttributeNames  map[string]string          `json:"ExpressionAttributeNames"`
		ExpressionAttributeValues map[string]json.RawMessage `json:"ExpressionAttributeValues"`
	}
	if err := json.Unmarshal(body, &input); err != nil {
		return nil, http.StatusBadRequest, "SerializationException", err.Error()
	}
	r.mu.Lock()
	t, ok := r.tables[input.TableName]
	r.mu.Unlock()
	if !ok {
		return nil, http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found"
	}
	name := func(n string) string {
		if strings.HasPrefix(n, "#") {
			return input.ExpressionAttributeNames[n]
		}
		return n
	}
	pairs := [][2]string{}
	for _, m := range nameEqualsValue.FindAllStringSubmatch(input.KeyConditionExpression, -1) {
		pairs = append(pairs, [2]string{m[1], m[2]})
	}
	for _, m := range valueEqualsName.FindAllStringSubmatch(input.KeyConditionExpression, -1) {
		pairs = append(pairs, [2]string{m[2], m[1]})
	}
	for _, p := range pairs {
		if name(p[0]) == t.hashKey {
			return r.partition(input.TableName, map[string]json.RawMessage{t.hashKey: input.ExpressionAttributeValues[p[1]]})
		}
	}
	return nil, http.StatusBadRequest, "ValidationException",
		fmt.Sprintf("Query condition missed key schema element: %s (no equality on the partition key in %q)", t.hashKey, input.KeyConditionExpression)
}

// transaction routes a transaction whose items share one table and partition key to that partition's minidyn.
func (r *router) transaction(body []byte) (*miniserver.Server, int, string, string) {
	var input struct {
		TransactItems []transactItem `json:"TransactItems"`
	}
	if err := json.Unmarshal(body, &input); err != nil {
		return nil, http.StatusBadRequest, "SerializationException", err.Error()
	}
	keys := make([]tableKey, 0, len(input.TransactItems))
	for _, item := range input.TransactItems {
		k := item.target()
		keys = append(keys, tableKey{k.TableName, k.attributes()})
	}
	return r.onePartition(keys, "a transaction")
}

// batchGet routes a BatchGetItem whose keys share one table and partition key to that partition's minidyn.
func (r *router) batchGet(body []byte) (*miniserver.Server, int, string, string) {
	var input struct {
		RequestItems map[string]struct {
			Keys []map[string]json.RawMessage `json:"Keys"`
		} `json:"RequestItems"`
	}
	if err := json.Unmarshal(body, &input); err != nil {
		return nil, http.StatusBadRequest, "SerializationException", err.Error()
	}
	var keys []tableKey
	for tableName, request := range input.RequestItems {
		for _, key := range request.Keys {
			keys = append(keys, tableKey{tableName, key})
		}
	}
	return r.onePartition(keys, "a BatchGetItem")
}

// tableKey is one item's key in a request that names several.
type tableKey struct {
	table string
	key   map[string]json.RawMessage
}

// onePartition is the minidyn of the one partition every key of a request (`what`) falls in; keys across tables or
// partition keys are refused. A request with no key goes to a fresh minidyn, which answers it with its ValidationException.
func (r *router) onePartition(keys []tableKey, what string) (*miniserver.Server, int, string, string) {
	var chosen *miniserver.Server
	for _, k := range keys {
		server, status, code, message := r.partition(k.table, k.key)
		if server == nil {
			return nil, status, code, message
		}
		if chosen != nil && server != chosen {
			return nil, http.StatusBadRequest, "ValidationException",
				what + " across tables or partition keys is not served by this emulator (one minidyn per partition key)"
		}
		chosen = server
	}
	if chosen == nil {
		return miniserver.NewServer(), 0, "", ""
	}
	return chosen, 0, "", ""
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": message})
}
