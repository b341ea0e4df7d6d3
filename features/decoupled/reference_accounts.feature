@decoupled @simulation
Feature: Reference accounts and their SEPA mandates
  The reference account is the customer's account at another bank; a signed SEPA Direct Debit
  mandate lets Solaris collect what the card used. The mandate number has 35 characters of
  A-Z, a-z and 0-9 and starts with the creditor prefix RCIAIR. A new reference account, with a
  new mandate, replaces the previous one, which becomes INACTIVE.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer has a decoupled card with a limit of 500.00 EUR

  Scenario: A new reference account replaces the previous one
    When the customer signs a SEPA mandate for the reference account "DE02120300000000202051"
    Then the reference account is "ACTIVE"
    And the previous reference account is "INACTIVE"
    And the customer has 2 reference accounts, the last one "ACTIVE"

  Scenario Outline: A mandate number that breaks the rule is refused
    When the customer signs a SEPA mandate numbered "<mandate number>" for the reference account "DE02120300000000202051"
    Then the request is refused with status 400 and code "invalid_model" on field "mandate_number"
    And the customer has 1 reference account, the last one "ACTIVE"

    Examples:
      | mandate number                       | what is wrong                            |
      | SAMPAY7D226d32882d11Eb8DcD0242Ae2F4  | the guide's own example, without RCIAIR  |
      | RCIAIR7D226d32882d11Eb8DcD0242Ae2F   | 34 characters                            |
      | RCIAIR7D226d32882d11Eb8DcD0242Ae2F4A | 36 characters                            |
      | RCIAIR7D226d32882d11Eb8DcD0242Ae2-4  | a character outside A-Z, a-z and 0-9     |

  Scenario: The same mandate number is not used twice
    When the customer signs a SEPA mandate numbered "RCIAIR7D226d32882d11Eb8DcD0242Ae2F4" for the reference account "DE02120300000000202051"
    Then the reference account is "ACTIVE"
    When the customer signs a SEPA mandate numbered "RCIAIR7D226d32882d11Eb8DcD0242Ae2F4" for the reference account "DE89370400440532013000"
    Then the request is refused with status 400 and code "invalid_model" on field "mandate_number"

  Scenario: An IBAN that fails the check is refused
    When the customer signs a SEPA mandate for the reference account "DE02120300000000202052"
    Then the request is refused with status 400 and code "invalid_model" on field "iban"
