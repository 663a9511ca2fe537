module github.com/bharatauth/bharatauth-go/adapters/redis

go 1.26

require (
	github.com/bharatauth/bharatauth-go/adapters/memory v0.1.0
	github.com/bharatauth/bharatauth-go/ports v0.1.0
	github.com/bharatauth/bharatauth-go/ports/porttest v0.1.0
	github.com/redis/rueidis v1.0.79
	github.com/stretchr/testify v1.11.1
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/bharatauth/bharatauth-go/adapters/memory => ../memory
	github.com/bharatauth/bharatauth-go/ports => ../../ports
	github.com/bharatauth/bharatauth-go/ports/porttest => ../../ports/porttest
)
