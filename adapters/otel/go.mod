module github.com/bharatauth/bharatauth-go/adapters/otel

go 1.26.0

require (
	github.com/bharatauth/bharatauth-go/adapters/memory v0.1.0
	github.com/bharatauth/bharatauth-go/core v0.1.0
	github.com/bharatauth/bharatauth-go/ports v0.1.0
	github.com/stretchr/testify v1.12.1
	go.opentelemetry.io/otel v1.47.0
	go.opentelemetry.io/otel/metric v1.47.0
	go.opentelemetry.io/otel/sdk v1.47.0
	go.opentelemetry.io/otel/sdk/metric v1.47.0
	go.opentelemetry.io/otel/trace v1.47.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-logr/logr v1.4.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel/log v1.47.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

replace (
	github.com/bharatauth/bharatauth-go/adapters/memory => ../memory
	github.com/bharatauth/bharatauth-go/core => ../../core
	github.com/bharatauth/bharatauth-go/ports => ../../ports
	github.com/bharatauth/bharatauth-go/ports/porttest => ../../ports/porttest
)
