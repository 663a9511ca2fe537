module github.com/bharatauth/bharatauth-go/transport/http

go 1.26.0

require (
	github.com/bharatauth/bharatauth-go/adapters/memory v0.1.0
	github.com/bharatauth/bharatauth-go/core v0.1.0
	github.com/bharatauth/bharatauth-go/ports v0.1.0
	github.com/bharatauth/bharatauth-go/ports/porttest v0.1.0
	github.com/getkin/kin-openapi v0.153.0
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/stretchr/testify v1.11.1
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/go-openapi/jsonpointer v0.22.5 // indirect
	github.com/go-openapi/swag/jsonname v0.25.5 // indirect
	github.com/gorilla/mux v1.8.0 // indirect
	github.com/kr/pretty v0.3.1 // indirect
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	go.yaml.in/yaml/v4 v4.0.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/bharatauth/bharatauth-go/adapters/memory => ../../adapters/memory
	github.com/bharatauth/bharatauth-go/core => ../../core
	github.com/bharatauth/bharatauth-go/ports => ../../ports
)

replace github.com/bharatauth/bharatauth-go/ports/porttest => ../../ports/porttest
