module github.com/bharatauth/bharatauth-go/ports/porttest

go 1.26

require github.com/bharatauth/bharatauth-go/ports v0.1.0

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/stretchr/testify v1.11.1
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/bharatauth/bharatauth-go/ports => ../../ports
