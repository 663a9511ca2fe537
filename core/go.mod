module github.com/bharatauth/bharatauth-go/core

go 1.26.0

require (
	github.com/bharatauth/bharatauth-go/ports v0.1.0
	github.com/bharatauth/bharatauth-go/ports/porttest v0.1.0
	github.com/nyaruka/phonenumbers v1.8.1
	golang.org/x/net v0.62.0
)

require (
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

require (
	github.com/bharatauth/bharatauth-go/adapters/memory v0.1.0
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/stretchr/testify v1.11.1
	golang.org/x/crypto v0.59.0
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/bharatauth/bharatauth-go/ports => ../ports

replace github.com/bharatauth/bharatauth-go/adapters/memory => ../adapters/memory

replace github.com/bharatauth/bharatauth-go/ports/porttest => ../ports/porttest
