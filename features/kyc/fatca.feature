@kyc @fatca @simulation
Feature: FATCA screening before the account
  Solaris must know whether a customer is liable to US tax. Hard criteria (a US passport, US
  citizenship, a residential address or a birthplace in the US, the US Minor Outlying Islands or
  the US Virgin Islands) stop the onboarding. Soft criteria (a +1 mobile number, an address that
  is only a PO box or c/o) need the customer to clarify: with a non-US number and a physical
  address the onboarding goes on.

  Background:
    Given a German retail customer who agreed to every legal screen

  Scenario Outline: A customer with <data point> <value> is refused
    Given the customer's "<data point>" is "<value>"
    And the customer is ready to open an account
    When the partner asks to open a current account for the customer
    Then the account opening request is rejected within 10 seconds because of "no_fatca_indicia"
    And the onboarding readiness check "FATCA screening" is red

    Examples: hard criteria in the customer's data
      | data point    | value |
      | nationality   | US    |
      | birth_country | US    |
      | birth_country | UM    |
      | birth_country | VI    |

  Scenario Outline: A move to an address in <country> is refused already by the branch
    A residential address in the US is a hard FATCA criterion; for a customer of the German
    branch the API refuses the address itself, as no US residency is allowed there.

    Given the customer is ready to open an account
    When the customer moves to an address in "<country>"
    Then the request is refused with status 400 and code "invalid_model" on field "country"

    Examples: residential address
      | country |
      | US      |
      | UM      |
      | VI      |

  Scenario: A customer identified with a US passport is refused
    Given the customer is registered as a person
    And the partner started and requested a video identification
    When IDnow reports the identification as "successful" with a passport from "US"
    Then the onboarding readiness check "FATCA screening" is red

  Scenario Outline: A soft criterion (<data point> <value>) holds the account until it is clarified
    Given the customer's "<data point>" is "<value>"
    And the customer is ready to open an account
    When the partner asks to open a current account for the customer
    Then the account opening request is rejected within 10 seconds because of "no_fatca_indicia"
    And the onboarding readiness check "FATCA screening" is yellow

    Examples: soft criteria
      | data point     | value             |
      | mobile_number  | +15550101         |
      | address.line_1 | Postfach 12 34 56 |
      | address.line_1 | c/o Anna Schmidt  |

  Scenario: A customer who clarifies with a German number and a physical address gets the account
    Given the customer's "mobile_number" is "+15550101"
    And the customer's "address.line_1" is "P.O. Box 77"
    And the customer is ready to open an account
    Then the onboarding readiness check "FATCA screening" is yellow
    When the customer replaces the mobile number with "+4915198765432"
    And the customer gives a physical address
    Then the onboarding readiness check "FATCA screening" is green
    When the partner asks to open a current account for the customer
    Then the account is opened within 10 seconds
