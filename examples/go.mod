module github.com/bharatauth/bharatauth-go/examples

go 1.26.0

require (
	github.com/bharatauth/bharatauth-go/adapters/memory v0.0.0
	github.com/bharatauth/bharatauth-go/core v0.0.0
	github.com/bharatauth/bharatauth-go/transport/http v0.0.0
	github.com/stretchr/testify v1.11.1
)

require (
	github.com/bharatauth/bharatauth-go/ports v0.0.0 // indirect
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/bharatauth/bharatauth-go/adapters/memory => ../adapters/memory
	github.com/bharatauth/bharatauth-go/core => ../core
	github.com/bharatauth/bharatauth-go/ports => ../ports
	github.com/bharatauth/bharatauth-go/transport/http => ../transport/http
)

replace github.com/bharatauth/bharatauth-go/ports/porttest => ../ports/porttest
