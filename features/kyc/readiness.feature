@kyc @simulation
Feature: The onboarding readiness checklist gates the account
  Before an account is opened, every check of the readiness checklist must be green: KYC
  identification, mobile number, tax identification, FATCA screening, customer screening, risk
  classification and customer vetting. Any yellow or red check blocks the account, and the
  rejection names the first check that failed.

  Background:
    Given a German retail customer who agreed to every legal screen

  Scenario Outline: <situation>: the account is refused
    Given the customer is ready to open an account, except that "<situation>"
    When the partner asks to open a current account for the customer
    Then the account opening request is rejected within 10 seconds because of "<rejection>"
    And the onboarding readiness check "<check>" is <state>

    Examples: identification
      | situation                                                       | check              | state  | rejection                 |
      | the customer was never identified                               | KYC identification | red    | successful_identification |
      | the identification is still pending                             | KYC identification | yellow | successful_identification |
      | the provider is still reviewing a failed-looking identification | KYC identification | yellow | successful_identification |

    Examples: mobile number
      | situation                            | check         | state  | rejection              |
      | there is no mobile number            | Mobile number | red    | verified_mobile_number |
      | the mobile number was never verified | Mobile number | yellow | verified_mobile_number |

    Examples: FATCA soft criteria
      | situation                        | check           | state  | rejection        |
      | the mobile number is a US number | FATCA screening | yellow | no_fatca_indicia |
      | the only address is a PO box     | FATCA screening | yellow | no_fatca_indicia |

    Examples: due diligence
      | situation                              | check               | state  | rejection                 |
      | the screening found a potential match  | Customer screening  | yellow | green_person_screening    |
      | the screening declined the customer    | Customer screening  | red    | green_person_screening    |
      | the risk classification is still open  | Risk classification | yellow | green_risk_classification |
      | the risk was rejected                  | Risk classification | red    | green_risk_classification |
      | the vetting found a potential match    | Customer vetting    | yellow | green_person_vetting      |
      | the vetting rejected the customer      | Customer vetting    | red    | green_person_vetting      |

  Scenario: A German customer may open the account before giving the tax identification
    Given the customer has been onboarded with a current account, without a tax identification
    Then the onboarding readiness check "Tax identification" is green
