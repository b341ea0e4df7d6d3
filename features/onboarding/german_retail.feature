@onboarding
Feature: German retail onboarding
  A partner onboards a retail customer in Germany for Digital Banking & Cards, as the person
  onboarding guide describes it: registration with the consents, a verified mobile number, a
  tax identification, video identification with IDnow, due diligence, an account and a debit
  card. Nothing may be opened before every check of the readiness checklist is green.

  Background:
    Given a German retail customer who agreed to every legal screen

  @simulation
  Scenario: A customer goes from the consent screens to an active debit card
    When the partner registers the customer as a person
    Then the response matches the snapshot "german_person_registered"
    And the person is registered
    And the person's due diligence reads "NOT_SCREENED", "NOT_SCORED" and "NOT_VETTED"
    When the partner adds the customer's mobile number
    And the partner sends a verification code to the mobile number
    And the customer confirms the mobile number with the code "212212"
    Then the mobile number is verified
    When the partner records the German tax identification number "48954371207" as primary
    Then the tax identification is recorded as primary
    When the partner starts a video identification with IDnow in "DE"
    And the partner requests the video identification
    Then the identification is pending with a link and a reference for the customer
    When IDnow reports the identification as "successful"
    Then the person's due diligence reads "SCREENED_ACCEPTED", "NORMAL_RISK" and "NO_MATCH"
    And the onboarding readiness checklist reads
      | check               | state |
      | KYC identification  | green |
      | Mobile number       | green |
      | Tax identification  | green |
      | FATCA screening     | green |
      | Customer screening  | green |
      | Risk classification | green |
      | Customer vetting    | green |
    When the partner asks to open a current account for the customer
    Then the account is opened within 10 seconds
    And the account is a "CHECKING_PERSONAL" account with a valid IBAN
    When the partner orders a "MASTERCARD_DEBIT" card for the account, with instant activation on the sandbox
    Then the card is ready for activation within 10 seconds
    When the customer activates the card
    Then the card is active

  Scenario: A wrong SMS code does not verify the mobile number
    Given the customer is registered as a person
    And the partner added the customer's mobile number and sent a verification code
    When the customer confirms the mobile number with the code "111111"
    Then the request is refused
    And the mobile number is not verified

  Scenario Outline: A person without a mandatory data point is refused
    When the partner registers the customer as a person without "<data point>"
    Then the request is refused with status 400 and code "invalid_model" on field "<data point>"

    Examples: the mandatory data points for retail customers in Germany
      | data point                      |
      | salutation                      |
      | first_name                      |
      | last_name                       |
      | address.line_1                  |
      | address.line_2                  |
      | address.postal_code             |
      | address.city                    |
      | address.country                 |
      | mobile_number                   |
      | birth_date                      |
      | birth_city                      |
      | birth_country                   |
      | nationality                     |
      | employment_status               |
      | fatca_relevant                  |
      | fatca_crs_confirmed_at          |
      | terms_conditions_signed_at      |
      | data_terms_signed_at            |
      | own_economic_interest_signed_at |
      | tax_information.marital_status  |

  Scenario: No account is opened before the customer is identified
    Given the customer is registered as a person
    And the customer's mobile number is verified
    And the customer's German tax identification number "48954371207" is recorded
    When the partner asks to open a current account for the customer
    Then the account opening request is rejected within 10 seconds because of "successful_identification"
    And the onboarding readiness checklist reads
      | check               | state  |
      | KYC identification  | red    |
      | Mobile number       | green  |
      | Tax identification  | green  |
      | FATCA screening     | green  |
      | Customer screening  | yellow |
      | Risk classification | yellow |
      | Customer vetting    | yellow |
